-- each ship mode's share of its return flag's quantity: a window over GROUP BY results
select l_returnflag, l_shipmode, sum(l_quantity) as qty,
       sum(l_quantity) * 100.0 / sum(sum(l_quantity)) over (partition by l_returnflag) as pct,
       rank() over (partition by l_returnflag order by sum(l_quantity) desc) as rnk
from lineitem
group by l_returnflag, l_shipmode
order by l_returnflag, rnk, l_shipmode
