-- the pricing summary rolled up by return flag, line status and ship mode
select l_returnflag, l_linestatus, l_shipmode, grouping(l_returnflag, l_linestatus, l_shipmode) as g,
       sum(l_quantity) as qty, sum(l_extendedprice) as price, count(*) as n
from lineitem
group by rollup (l_returnflag, l_linestatus, l_shipmode)
order by g, l_returnflag, l_linestatus, l_shipmode
