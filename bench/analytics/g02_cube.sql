-- quantity by return flag and ship mode, every combination
select l_returnflag, l_shipmode, sum(l_quantity) as qty, count(*) as n
from lineitem
where l_shipdate >= date '1995-01-01'
group by cube (l_returnflag, l_shipmode)
order by l_returnflag nulls first, l_shipmode nulls first
